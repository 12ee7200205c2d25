import { Stack } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { urlPort } from '../../lib/decode/url-port';

test('a literal port wins, with or without a path; else the scheme decides', () => {
  expect(urlPort('https://cs3.example.com:8443')).toBe(8443);
  expect(urlPort('https://cs3.example.com:8443/v1')).toBe(8443);
  expect(urlPort('https://cs3.example.com/v1')).toBe(443);
  expect(urlPort('http://decode.internal')).toBe(80);
});

test('a host that is a token (a load balancer DNS name) still gives the literal port', () => {
  const stack = new Stack();
  const nlb = new elbv2.NetworkLoadBalancer(stack, 'Nlb', { vpc: new ec2.Vpc(stack, 'Vpc') });
  expect(urlPort(`http://${nlb.loadBalancerDnsName}:8000`)).toBe(8000);
});

test('a URL without a known scheme or port is an error naming it', () => {
  expect(() => urlPort('grpc://decode.internal')).toThrow(/Cannot tell the port of endpoint URL 'grpc:\/\/decode.internal'; use scheme:\/\/host:port/);
});
