import { loadTemplate } from '../../support/template.ts';

const parameter = loadTemplate().Parameters.TargetClusterNames ?? {};

/** CloudFormation applies a CommaDelimitedList's AllowedPattern to each value. */
function accepts(value: string): boolean {
  const pattern = parameter.AllowedPattern;
  if (typeof pattern !== 'string') return true;
  return value.split(',').every((name) => new RegExp(pattern).test(name));
}

describe('template.yaml TargetClusterNames', () => {
  it('accepts plain ECS cluster names', () => {
    expect(accepts('payments-prod')).toBe(true);
    expect(accepts('payments-prod,orders_prod,A1')).toBe(true);
  });

  it.each([
    ['*', 'a wildcard would widen the ecs:cluster ArnLike conditions to every cluster'],
    ['prod-*', 'a wildcard the code allow-list (exact names) would never match'],
    ['arn:aws:ecs:us-east-1:493817260514:cluster/prod', 'an ARN instead of a name'],
    ['', 'an empty name'],
    ['payments prod', 'a name ECS cannot have'],
  ])('rejects %j at deploy time (%s)', (value) => {
    expect(accepts(value)).toBe(false);
    expect(parameter.ConstraintDescription).toEqual(expect.stringContaining('cluster name'));
  });
});
