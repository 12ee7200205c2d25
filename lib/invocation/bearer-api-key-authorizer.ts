import { type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { createCustomerManagedKey } from '../encryption';
import { API_KEY_HEADER_PATTERN } from '../runtime/auth/api-key';
import { API_KEY_TABLE_ENV_VAR } from '../runtime/lambda/environment';
import type { BearerApiKeyOptions } from './api-key-access';
import { createLambdaRole } from './lambda-role';
import { RuntimeEntry, RuntimeFunction } from './runtime-function';

/** Props of a {@link BearerApiKeyAuthorizer}. */
export interface BearerApiKeyAuthorizerProps extends BearerApiKeyOptions {
  /** The role API Gateway assumes to invoke the authorizer function. */
  readonly invokeRole: iam.Role;
  /** The key encrypting the function's log group. */
  readonly logEncryptionKey: kms.IKey;
  /**
   * The VPC the function runs in (the router's).
   * @default - outside any VPC
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Subnets of `vpc` the function runs in.
   * @default - the VPC's private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
}

/**
 * The TOKEN authorizer of the bearer-key methods: a function that checks the `Authorization:
 * Bearer <key>` header against a DynamoDB table of key hashes (a new one, KMS-encrypted with
 * point-in-time recovery, or yours). Keys are made and revoked with `npm run api-key`.
 */
export class BearerApiKeyAuthorizer extends Construct {
  /** The table of key records (`keyId`, the key's SHA-256, name, created, revoked). */
  public readonly table: dynamodb.ITable;
  /** The function API Gateway calls with each uncached key. */
  public readonly function: lambda.Function;
  /** The authorizer the bearer-key methods use. */
  public readonly authorizer: apigateway.TokenAuthorizer;
  /** Network reachability of the function (no security group outside a VPC). */
  public readonly connections: ec2.Connections;

  constructor(scope: Construct, id: string, props: BearerApiKeyAuthorizerProps) {
    super(scope, id);
    this.table = props.table ?? this.createTable();
    this.connections = props.vpc ? this.createConnections(props.vpc) : new ec2.Connections();
    this.function = new RuntimeFunction(this, 'Function', {
      entry: RuntimeEntry.API_KEY_AUTHORIZER,
      handler: 'handler',
      description: 'Bedrock-style API: checks bearer API keys against their hashes',
      memorySize: 256,
      timeout: Duration.seconds(10),
      role: createLambdaRole(this, 'Role', 'Bedrock-style API key authorizer', props.vpc !== undefined),
      logEncryptionKey: props.logEncryptionKey,
      environment: { [API_KEY_TABLE_ENV_VAR]: this.table.tableName },
      ...(props.vpc
        ? { vpc: props.vpc, vpcSubnets: props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }, securityGroups: this.connections.securityGroups }
        : {}),
    });
    // Reads one item by key: GetItem and nothing else (no scan of the table from the request path).
    this.table.grant(this.function, 'dynamodb:GetItem');
    this.table.encryptionKey?.grantDecrypt(this.function);
    // API Gateway invokes it with the layer's role rather than through a resource policy on the
    // function; the authorizer grants the role that itself.
    this.authorizer = new apigateway.TokenAuthorizer(this, 'Authorizer', {
      handler: this.function,
      identitySource: apigateway.IdentitySource.header('Authorization'),
      validationRegex: API_KEY_HEADER_PATTERN,
      resultsCacheTtl: props.cacheTtl ?? Duration.minutes(1),
      assumeRole: props.invokeRole,
    });
    const invokePolicy = this.authorizer.node.tryFindChild('authorizerInvokePolicy');
    if (invokePolicy) {
      const stack = Stack.of(this);
      const functionLogicalId = stack.resolve(stack.getLogicalId(this.function.node.defaultChild as CfnElement));
      Validations.of(invokePolicy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${functionLogicalId}.Arn>:*]`,
        reason: 'aws-cdk-lib\'s TokenAuthorizer grants the invoke role lambda:InvokeFunction on the authorizer function and its qualifiers (<arn>:*); the wildcard names no other function.',
      });
    }
  }

  private createTable(): dynamodb.Table {
    return new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'keyId', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: createCustomerManagedKey(this, 'TableKey', 'Encrypts the table of API key hashes of the Bedrock-style API'),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Which keys exist and who has them outlives a stack update gone wrong.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  private createConnections(vpc: ec2.IVpc): ec2.Connections {
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: 'Bedrock-style API key authorizer: egress only to DynamoDB over HTTPS',
      allowAllOutbound: false,
    });
    // DynamoDB's regional endpoint, through the VPC's NAT gateway (or a DynamoDB gateway endpoint where the VPC has one).
    securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'authorizer to DynamoDB');
    return securityGroup.connections;
  }
}
