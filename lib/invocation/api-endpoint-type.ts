import { Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** Options for a private API. */
export interface PrivateApiEndpointOptions {
  /**
   * The `execute-api` interface endpoint clients reach the API through.
   *
   * @default - one is created in the invocation layer's VPC, with private DNS
   */
  readonly vpcEndpoint?: ec2.IInterfaceVpcEndpoint;
}

/** What `ApiEndpointType.bind` gives the API. */
export interface ApiEndpointTypeConfig {
  /** The API's endpoint type and, for a private API, its `execute-api` endpoints. */
  readonly endpointConfiguration: apigateway.EndpointConfiguration;
  /**
   * The API's resource policy.
   * @default - none: IAM authorization alone decides
   */
  readonly policy?: iam.PolicyDocument;
  /**
   * The `execute-api` endpoint the API is reached through.
   * @default - none: the API is regional
   */
  readonly vpcEndpoint?: ec2.IInterfaceVpcEndpoint;
}

/** Where the Bedrock-style API is reachable from. */
export abstract class ApiEndpointType {
  /** A regional endpoint, reachable from anywhere a caller holds `execute-api:Invoke`. */
  public static regional(): ApiEndpointType {
    return new RegionalEndpoint();
  }

  /**
   * A private endpoint, reachable only through an `execute-api` interface VPC endpoint. The API's
   * resource policy refuses every request that does not come through that endpoint.
   */
  public static privateEndpoint(options: PrivateApiEndpointOptions = {}): ApiEndpointType {
    return new PrivateEndpoint(options);
  }

  /** Renders the endpoint type for an API built in `scope`, whose router runs in `vpc` (if any). */
  public abstract bind(scope: Construct, vpc?: ec2.IVpc): ApiEndpointTypeConfig;
}

class RegionalEndpoint extends ApiEndpointType {
  public bind(): ApiEndpointTypeConfig {
    return { endpointConfiguration: { types: [apigateway.EndpointType.REGIONAL] } };
  }
}

class PrivateEndpoint extends ApiEndpointType {
  constructor(private readonly options: PrivateApiEndpointOptions) {
    super();
  }

  public bind(scope: Construct, vpc?: ec2.IVpc): ApiEndpointTypeConfig {
    let endpoint = this.options.vpcEndpoint;
    if (!endpoint) {
      if (!vpc) {
        throw new Error(
          'BedrockInvocationLayer: ApiEndpointType.privateEndpoint() needs a VPC to create the execute-api endpoint in; ' +
            'pass `vpc` to the invocation layer or `vpcEndpoint` to privateEndpoint().',
        );
      }
      const created = new ec2.InterfaceVpcEndpoint(scope, 'ExecuteApiEndpoint', {
        vpc,
        service: ec2.InterfaceVpcEndpointAwsService.APIGATEWAY,
        privateDnsEnabled: true,
      });
      Validations.of(created).acknowledge({
        id: 'AwsSolutions-EC23',
        reason: 'The endpoint admits HTTPS from the VPC\'s own CIDR range only (a token the rule cannot evaluate): callers of a private API are anywhere in the VPC, and IAM still authorizes each request.',
      });
      endpoint = created;
    }
    // IAM still decides who may call; this policy only adds "and only through this endpoint".
    const policy = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          effect: iam.Effect.ALLOW,
          principals: [new iam.AccountRootPrincipal()],
          actions: ['execute-api:Invoke'],
          resources: ['execute-api:/*'],
        }),
        new iam.PolicyStatement({
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['execute-api:Invoke'],
          resources: ['execute-api:/*'],
          conditions: { StringNotEquals: { 'aws:SourceVpce': endpoint.vpcEndpointId } },
        }),
      ],
    });
    return {
      endpointConfiguration: { types: [apigateway.EndpointType.PRIVATE], vpcEndpoints: [endpoint] },
      policy,
      vpcEndpoint: endpoint,
    };
  }
}
