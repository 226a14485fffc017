import {
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
} from '@aws-sdk/client-ec2';
import 'aws-sdk-client-mock-jest';
import { networkChecks } from '#lib/readiness/network.ts';
import { awsError, clients, fargateTask, finding, mocks } from './fixtures.ts';

function network(options: { endpoints: string[]; route?: 'nat' | 'igw' | 'none'; publicIp?: boolean }) {
  mocks.ec2.reset();
  mocks.ec2.on(DescribeNetworkInterfacesCommand).resolves({
    NetworkInterfaces: [
      {
        NetworkInterfaceId: 'eni-0a1',
        VpcId: 'vpc-1',
        SubnetId: 'subnet-0a1',
        ...(options.publicIp ? { Association: { PublicIp: '203.0.113.7' } } : {}),
      },
    ],
  });
  mocks.ec2.on(DescribeVpcEndpointsCommand).resolves({
    VpcEndpoints: options.endpoints.map((service, index) => ({
      VpcEndpointId: `vpce-${index}`,
      ServiceName: `com.amazonaws.us-east-1.${service}`,
      VpcEndpointType: 'Interface',
      State: 'available' as never,
    })),
  });
  mocks.ec2
    .on(DescribeSubnetsCommand)
    .resolves({ Subnets: [{ SubnetId: 'subnet-0a1', AvailabilityZone: 'us-east-1a' }] });
  const routes = [{ DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', State: 'active' as const }];
  if (options.route === 'nat')
    routes.push({ DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-1', State: 'active' } as never);
  if (options.route === 'igw')
    routes.push({ DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-1', State: 'active' });
  mocks.ec2
    .on(DescribeRouteTablesCommand, { Filters: [{ Name: 'association.subnet-id', Values: ['subnet-0a1'] }] })
    .resolves({ RouteTables: [] })
    .on(DescribeRouteTablesCommand, {
      Filters: [
        { Name: 'vpc-id', Values: ['vpc-1'] },
        { Name: 'association.main', Values: ['true'] },
      ],
    })
    .resolves({ RouteTables: [{ RouteTableId: 'rtb-main', Routes: routes }] });
}

describe('readiness network checks', () => {
  it('fails a VPC with an ecs endpoint and no ssmmessages endpoint', async () => {
    network({ endpoints: ['ecs', 'ecr.api'], route: 'none' });

    const checks = await networkChecks(clients.ec2, fargateTask(), 'us-east-1');

    expect(finding(checks, 'network.ssmmessages-endpoint')).toMatchObject({ status: 'fail' });
    expect(finding(checks, 'network.ssmmessages-endpoint').fix).toContain(
      'com.amazonaws.us-east-1.ssmmessages',
    );
    expect(finding(checks, 'network.route').status).toBe('fail');
    expect(mocks.ec2).toHaveReceivedCommandWith(DescribeVpcEndpointsCommand, {
      Filters: [{ Name: 'vpc-id', Values: ['vpc-1'] }],
    });
  });

  it('passes a subnet whose main route table has a NAT route', async () => {
    network({ endpoints: [], route: 'nat' });

    const checks = await networkChecks(clients.ec2, fargateTask(), 'us-east-1');

    expect(checks.map((check) => check.status)).toEqual(['pass', 'pass']);
    expect(finding(checks, 'network.route').evidence).toContain('0.0.0.0/0 via nat-1');
  });

  it('passes through an ssmmessages endpoint without reading routes', async () => {
    network({ endpoints: ['ecs', 'ssmmessages'] });

    const checks = await networkChecks(clients.ec2, fargateTask(), 'us-east-1');

    expect(checks.map((check) => check.status)).toEqual(['pass', 'pass']);
    expect(mocks.ec2).not.toHaveReceivedCommand(DescribeRouteTablesCommand);
  });

  it('fails an internet gateway route for an ENI without a public IP', async () => {
    network({ endpoints: [], route: 'igw' });
    expect(
      finding(await networkChecks(clients.ec2, fargateTask(), 'us-east-1'), 'network.route').status,
    ).toBe('fail');

    network({ endpoints: [], route: 'igw', publicIp: true });
    expect(
      finding(await networkChecks(clients.ec2, fargateTask(), 'us-east-1'), 'network.route').status,
    ).toBe('pass');
  });

  it('says "not checked (needs ec2:...)" when EC2 refuses', async () => {
    mocks.ec2.reset();
    mocks.ec2
      .on(DescribeNetworkInterfacesCommand)
      .rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));

    const checks = await networkChecks(clients.ec2, fargateTask(), 'us-east-1');

    expect(checks.map((check) => check.status)).toEqual(['not-checked', 'not-checked']);
    expect(checks[0]?.evidence).toContain('needs `ec2:DescribeNetworkInterfaces`');
  });

  it('does not check a task without its own ENI', async () => {
    const checks = await networkChecks(clients.ec2, fargateTask({ attachments: [] }), 'us-east-1');

    expect(checks.map((check) => check.status)).toEqual(['not-checked', 'not-checked']);
  });
});
