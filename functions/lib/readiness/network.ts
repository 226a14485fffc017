/**
 * The network checks, from the task's ENI: in its VPC, an `ecs` interface endpoint without an
 * `ssmmessages` one (the agent then resolves ssmmessages to nothing it can reach), and a subnet with
 * neither an `ssmmessages` endpoint nor a route to the internet.
 */
import {
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  type EC2Client,
  type Route,
  type RouteTable,
  type VpcEndpoint,
} from '@aws-sdk/client-ec2';
import type { Task } from '@aws-sdk/client-ecs';
import { fail, notChecked, notCheckedAfter, pass, type ReadinessCheck } from './checks.ts';

/** Most pages of VPC endpoints read. */
const MAX_PAGES = 10;

/** The task's own ENI (awsvpc networking), or undefined for bridge/host networking. */
export function taskEni(task: Task): { eni?: string; subnet?: string } | undefined {
  const attachment = task.attachments?.find((entry) => entry.type === 'ElasticNetworkInterface');
  if (attachment === undefined) return undefined;
  const detail = (name: string) => attachment.details?.find((entry) => entry.name === name)?.value;
  const found: { eni?: string; subnet?: string } = {};
  const eni = detail('networkInterfaceId');
  const subnet = detail('subnetId');
  if (eni !== undefined) found.eni = eni;
  if (subnet !== undefined) found.subnet = subnet;
  return found;
}

function isUsable(endpoint: VpcEndpoint): boolean {
  const state = (endpoint.State ?? '').toLowerCase();
  return state === 'available' || state === 'pending';
}

function internetRoute(table: RouteTable | undefined): Route | undefined {
  return table?.Routes?.find(
    (route) =>
      (route.DestinationCidrBlock === '0.0.0.0/0' || route.DestinationIpv6CidrBlock === '::/0') &&
      (route.State ?? 'active') === 'active' &&
      (route.GatewayId?.startsWith('igw-') ||
        route.NatGatewayId !== undefined ||
        route.TransitGatewayId !== undefined ||
        route.NetworkInterfaceId !== undefined ||
        route.InstanceId !== undefined ||
        route.EgressOnlyInternetGatewayId !== undefined),
  );
}

function describeRoute(route: Route): string {
  const via =
    route.NatGatewayId ??
    route.GatewayId ??
    route.TransitGatewayId ??
    route.NetworkInterfaceId ??
    route.InstanceId ??
    route.EgressOnlyInternetGatewayId ??
    '?';
  return `${route.DestinationCidrBlock ?? route.DestinationIpv6CidrBlock} via ${via}`;
}

async function vpcEndpoints(ec2: EC2Client, vpcId: string): Promise<VpcEndpoint[]> {
  const endpoints: VpcEndpoint[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await ec2.send(
      new DescribeVpcEndpointsCommand({
        Filters: [{ Name: 'vpc-id', Values: [vpcId] }],
        ...(token !== undefined ? { NextToken: token } : {}),
      }),
    );
    endpoints.push(...(answer.VpcEndpoints ?? []));
    token = answer.NextToken;
    if (token === undefined) break;
  }
  return endpoints;
}

/** The subnet's route table: its explicit association, else the VPC's main table. */
async function routeTableOf(
  ec2: EC2Client,
  vpcId: string,
  subnetId: string,
): Promise<RouteTable | undefined> {
  const explicit = await ec2.send(
    new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }] }),
  );
  const table = explicit.RouteTables?.[0];
  if (table !== undefined) return table;
  const main = await ec2.send(
    new DescribeRouteTablesCommand({
      Filters: [
        { Name: 'vpc-id', Values: [vpcId] },
        { Name: 'association.main', Values: ['true'] },
      ],
    }),
  );
  return main.RouteTables?.[0];
}

/** The network findings for one task; `region` names the endpoint services. */
export async function networkChecks(ec2: EC2Client, task: Task, region: string): Promise<ReadinessCheck[]> {
  const attached = taskEni(task);
  if (attached?.eni === undefined) {
    const why =
      'the task has no ENI of its own (bridge or host networking): the agent uses the container instance network, which is not checked here';
    return [notChecked('network.ssmmessages-endpoint', why), notChecked('network.route', why)];
  }
  let vpcId: string | undefined;
  let subnetId = attached.subnet;
  let publicIp: string | undefined;
  try {
    const answer = await ec2.send(
      new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [attached.eni] }),
    );
    const eni = answer.NetworkInterfaces?.[0];
    vpcId = eni?.VpcId;
    subnetId = eni?.SubnetId ?? subnetId;
    publicIp = eni?.Association?.PublicIp;
  } catch (error) {
    return [
      notCheckedAfter('network.ssmmessages-endpoint', error, 'ec2:DescribeNetworkInterfaces'),
      notCheckedAfter('network.route', error, 'ec2:DescribeNetworkInterfaces'),
    ];
  }
  if (vpcId === undefined || subnetId === undefined) {
    const why = `DescribeNetworkInterfaces returned nothing for ${attached.eni} (the task may have stopped)`;
    return [notChecked('network.ssmmessages-endpoint', why), notChecked('network.route', why)];
  }

  const checks: ReadinessCheck[] = [];
  const ecsService = `com.amazonaws.${region}.ecs`;
  const ssmmessagesService = `com.amazonaws.${region}.ssmmessages`;
  let ssmmessages: VpcEndpoint | undefined;
  let endpointsRead = false;
  try {
    const endpoints = (await vpcEndpoints(ec2, vpcId)).filter(isUsable);
    endpointsRead = true;
    const ecs = endpoints.find((endpoint) => endpoint.ServiceName === ecsService);
    ssmmessages = endpoints.find((endpoint) => endpoint.ServiceName === ssmmessagesService);
    if (ecs !== undefined && ssmmessages === undefined) {
      checks.push(
        fail(
          'network.ssmmessages-endpoint',
          `${vpcId} has an ecs interface endpoint (${ecs.VpcEndpointId}) but no ${ssmmessagesService} endpoint: the exec agent cannot open its channels`,
          `create an interface endpoint for ${ssmmessagesService} in ${vpcId} with private DNS, in the task's subnets, with a security group that allows HTTPS from the task`,
        ),
      );
    } else {
      checks.push(
        pass(
          'network.ssmmessages-endpoint',
          ssmmessages !== undefined
            ? `${vpcId} has ${ssmmessagesService} endpoint ${ssmmessages.VpcEndpointId}`
            : `${vpcId} has no ecs interface endpoint (ssmmessages is reached like any AWS endpoint)`,
        ),
      );
    }
  } catch (error) {
    checks.push(notCheckedAfter('network.ssmmessages-endpoint', error, 'ec2:DescribeVpcEndpoints'));
  }

  if (ssmmessages !== undefined) {
    checks.push(
      pass('network.route', `ssmmessages is reached through endpoint ${ssmmessages.VpcEndpointId}`),
    );
    return checks;
  }
  if (!endpointsRead) {
    checks.push(
      notChecked('network.route', 'the VPC endpoints could not be read (needs `ec2:DescribeVpcEndpoints`)'),
    );
    return checks;
  }
  try {
    const subnets = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }));
    const subnet = subnets.Subnets?.[0];
    const route = internetRoute(await routeTableOf(ec2, vpcId, subnetId));
    const where = `${subnetId}${subnet?.AvailabilityZone ? ` (${subnet.AvailabilityZone})` : ''}`;
    if (route === undefined) {
      checks.push(
        fail(
          'network.route',
          `subnet ${where} has no ssmmessages endpoint in its VPC and no default route to the internet`,
          `add an interface endpoint for ${ssmmessagesService} to ${vpcId}, or a NAT gateway route (0.0.0.0/0) to the subnet's route table`,
        ),
      );
    } else if (route.GatewayId?.startsWith('igw-') && publicIp === undefined) {
      checks.push(
        fail(
          'network.route',
          `subnet ${where} routes ${describeRoute(route)}, but the task's ENI ${attached.eni} has no public IP`,
          `run the task with assignPublicIp ENABLED, use a NAT gateway, or add an interface endpoint for ${ssmmessagesService}`,
        ),
      );
    } else {
      checks.push(pass('network.route', `subnet ${where} routes ${describeRoute(route)}`));
    }
  } catch (error) {
    checks.push(notCheckedAfter('network.route', error, 'ec2:DescribeSubnets and ec2:DescribeRouteTables'));
  }
  return checks;
}
