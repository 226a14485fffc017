/**
 * The EC2 emulator: DescribeNetworkInterfaces, DescribeSubnets, DescribeRouteTables and
 * DescribeVpcEndpoints (ec2Query protocol) over the world's `network` and its tasks' ENIs, with EC2's
 * filter names and error codes. Filters it does not know are refused, not ignored.
 */
import {
  type AwsQueryServer,
  AwsServiceError,
  listParam,
  type QueryParams,
  startAwsQueryServer,
  structIndexes,
} from '../aws-query-server.ts';
import { type World, worldArns } from '../world.ts';

export interface Ec2Emulator {
  endpoint: string;
  close(): Promise<void>;
}

function filters(params: QueryParams, known: string[]): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const index of structIndexes(params, 'Filter')) {
    const name = params.get(`Filter.${index}.Name`) ?? '';
    if (!known.includes(name)) {
      throw new AwsServiceError(
        'InvalidParameterValue',
        `The filter '${name}' is invalid (not emulated locally)`,
      );
    }
    found.set(name, listParam(params, `Filter.${index}.Value`));
  }
  return found;
}

function accepts(filter: Map<string, string[]>, name: string, value: string | undefined): boolean {
  const wanted = filter.get(name);
  return wanted === undefined || (value !== undefined && wanted.includes(value));
}

/** Starts the EC2 emulator on 127.0.0.1. */
export async function startEc2Emulator(options: { world: World; port?: number }): Promise<Ec2Emulator> {
  const { world } = options;
  const arns = worldArns(world);
  const subnets = world.network.vpcs.flatMap((vpc) =>
    vpc.subnets.map((subnet) => ({ ...subnet, vpcId: vpc.id })),
  );
  const tasks = world.clusters.flatMap((cluster) => cluster.tasks);

  const operations = {
    DescribeNetworkInterfaces(params: QueryParams) {
      const wanted = listParam(params, 'NetworkInterfaceId');
      const filter = filters(params, ['vpc-id', 'subnet-id', 'network-interface-id']);
      const enis = tasks
        .filter((task) => task.subnet !== undefined)
        .map((task) => {
          const subnet = subnets.find((candidate) => candidate.id === task.subnet);
          return { id: arns.eni(task.id), subnet, task };
        });
      for (const id of wanted) {
        if (!enis.some((eni) => eni.id === id)) {
          throw new AwsServiceError(
            'InvalidNetworkInterfaceID.NotFound',
            `The networkInterface ID '${id}' does not exist`,
          );
        }
      }
      const selected = enis.filter(
        (eni) =>
          (wanted.length === 0 || wanted.includes(eni.id)) &&
          accepts(filter, 'vpc-id', eni.subnet?.vpcId) &&
          accepts(filter, 'subnet-id', eni.subnet?.id) &&
          accepts(filter, 'network-interface-id', eni.id),
      );
      return {
        networkInterfaceSet: selected.map((eni) => ({
          networkInterfaceId: eni.id,
          subnetId: eni.subnet?.id,
          vpcId: eni.subnet?.vpcId,
          availabilityZone: eni.subnet?.availabilityZone,
          interfaceType: 'interface',
          description: `arn:aws:ecs:${world.region}:${world.account}:attachment/${eni.task.id}`,
          status: 'in-use',
          privateIpAddress: '10.0.1.17',
          ...(eni.subnet?.internet === 'igw' ? { association: { publicIp: '203.0.113.17' } } : {}),
          requesterManaged: true,
        })),
      };
    },

    DescribeSubnets(params: QueryParams) {
      const wanted = listParam(params, 'SubnetId');
      const filter = filters(params, ['vpc-id', 'subnet-id']);
      for (const id of wanted) {
        if (!subnets.some((subnet) => subnet.id === id)) {
          throw new AwsServiceError('InvalidSubnetID.NotFound', `The subnet ID '${id}' does not exist`);
        }
      }
      return {
        subnetSet: subnets
          .filter(
            (subnet) =>
              (wanted.length === 0 || wanted.includes(subnet.id)) &&
              accepts(filter, 'vpc-id', subnet.vpcId) &&
              accepts(filter, 'subnet-id', subnet.id),
          )
          .map((subnet) => ({
            subnetId: subnet.id,
            vpcId: subnet.vpcId,
            availabilityZone: subnet.availabilityZone,
            state: 'available',
            mapPublicIpOnLaunch: subnet.internet === 'igw',
          })),
      };
    },

    DescribeRouteTables(params: QueryParams) {
      const filter = filters(params, [
        'vpc-id',
        'association.subnet-id',
        'association.main',
        'route-table-id',
      ]);
      // One table per subnet, explicitly associated; each VPC's main table has only the local route.
      const tables = [
        ...subnets.map((subnet) => ({
          id: `rtb-${subnet.id.slice('subnet-'.length)}`,
          vpcId: subnet.vpcId,
          subnetId: subnet.id as string | undefined,
          main: false,
          internet: subnet.internet,
        })),
        ...world.network.vpcs.map((vpc) => ({
          id: `rtb-main-${vpc.id.slice('vpc-'.length)}`,
          vpcId: vpc.id,
          subnetId: undefined,
          main: true,
          internet: 'none' as const,
        })),
      ];
      return {
        routeTableSet: tables
          .filter(
            (table) =>
              accepts(filter, 'vpc-id', table.vpcId) &&
              accepts(filter, 'association.subnet-id', table.subnetId) &&
              accepts(filter, 'association.main', String(table.main)) &&
              accepts(filter, 'route-table-id', table.id),
          )
          .map((table) => ({
            routeTableId: table.id,
            vpcId: table.vpcId,
            routeSet: [
              {
                destinationCidrBlock: '10.0.0.0/16',
                gatewayId: 'local',
                state: 'active',
                origin: 'CreateRouteTable',
              },
              ...(table.internet === 'nat'
                ? [
                    {
                      destinationCidrBlock: '0.0.0.0/0',
                      natGatewayId: `nat-${table.vpcId.slice(4)}`,
                      state: 'active',
                      origin: 'CreateRoute',
                    },
                  ]
                : table.internet === 'igw'
                  ? [
                      {
                        destinationCidrBlock: '0.0.0.0/0',
                        gatewayId: `igw-${table.vpcId.slice(4)}`,
                        state: 'active',
                        origin: 'CreateRoute',
                      },
                    ]
                  : []),
            ],
            associationSet: [
              {
                routeTableAssociationId: `rtbassoc-${table.id.slice(4)}`,
                routeTableId: table.id,
                main: table.main,
                ...(table.subnetId !== undefined ? { subnetId: table.subnetId } : {}),
                associationState: { state: 'associated' },
              },
            ],
          })),
      };
    },

    DescribeVpcEndpoints(params: QueryParams) {
      const filter = filters(params, ['vpc-id', 'service-name', 'vpc-endpoint-type']);
      const endpoints = world.network.vpcs.flatMap((vpc) =>
        vpc.endpoints.map((service, index) => ({
          vpcEndpointId: `vpce-${vpc.id.slice(4)}${index}`,
          vpcEndpointType: 'Interface',
          vpcId: vpc.id,
          serviceName: `com.amazonaws.${world.region}.${service}`,
          state: 'available',
          privateDnsEnabled: true,
          subnetIdSet: vpc.subnets.map((subnet) => subnet.id),
        })),
      );
      return {
        vpcEndpointSet: endpoints.filter(
          (endpoint) =>
            accepts(filter, 'vpc-id', endpoint.vpcId) &&
            accepts(filter, 'service-name', endpoint.serviceName) &&
            accepts(filter, 'vpc-endpoint-type', endpoint.vpcEndpointType),
        ),
      };
    },
  };

  const server: AwsQueryServer = await startAwsQueryServer({
    protocol: 'ec2Query',
    namespace: 'http://ec2.amazonaws.com/doc/2016-11-15/',
    operations,
    ...(options.port !== undefined ? { port: options.port } : {}),
  });
  return { endpoint: server.endpoint, close: () => server.close() };
}
