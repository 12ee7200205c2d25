import { Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { appWithControls, controlFindings } from './control-tower';

describe('controlFindings', () => {
  function launchTemplateApp(acknowledge: boolean) {
    const app = appWithControls();
    const template = new ec2.CfnLaunchTemplate(new Stack(app, 'Test'), 'LaunchTemplate', {
      launchTemplateData: {
        instanceType: 'm7i.large',
        metadataOptions: { httpTokens: 'required' },
        networkInterfaces: [{ deviceIndex: 0, associatePublicIpAddress: true }],
      },
    });
    if (acknowledge) {
      Validations.of(template).acknowledge({ id: 'cdk-validator-cfnguard::ec2_launch_template_monitoring_enabled_check', reason: 'test' });
    }
    return app;
  }

  test('reports a Control Tower rule a resource breaks, with the construct', () => {
    expect(controlFindings(launchTemplateApp(false))).toContainEqual({
      rule: 'ec2_launch_template_monitoring_enabled_check',
      constructPath: 'Test/LaunchTemplate',
    });
  });

  test('leaves out what an acknowledgement covers, and only that', () => {
    const findings = controlFindings(launchTemplateApp(true));
    expect(findings.map((f) => f.rule)).not.toContain('ec2_launch_template_monitoring_enabled_check');
    expect(findings.map((f) => f.rule)).toContain('ec2_launch_template_public_ip_disabled_check');
  });
});
