import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, type Tags } from 'yaml';

/** A CloudFormation intrinsic function after parsing: `{ 'Fn::Sub': ... }` or `{ Ref: ... }`. */
export type Intrinsic = Record<string, unknown>;

const SCALAR_FUNCTIONS = ['Ref', 'Condition'];
const FUNCTIONS = [
  'Base64',
  'Cidr',
  'Equals',
  'FindInMap',
  'GetAtt',
  'GetAZs',
  'If',
  'ImportValue',
  'Join',
  'Not',
  'Or',
  'And',
  'Select',
  'Split',
  'Sub',
  'Transform',
  'ToJsonString',
  'Length',
];

/** yaml custom tags for CloudFormation's short forms (!Ref, !Sub, !GetAtt a.b, ...). */
const cloudFormationTags: Tags = [
  ...SCALAR_FUNCTIONS.map((name) => ({
    tag: `!${name}`,
    resolve: (value: string) => ({ [name]: value }),
  })),
  ...FUNCTIONS.flatMap((name) => {
    const key = `Fn::${name}`;
    const toValue = (value: unknown) =>
      name === 'GetAtt' && typeof value === 'string' ? { [key]: value.split('.') } : { [key]: value };
    return [
      { tag: `!${name}`, resolve: (value: string) => toValue(value) },
      {
        tag: `!${name}`,
        collection: 'seq' as const,
        resolve: (value: { toJSON(): unknown }) => toValue(value.toJSON()),
      },
      {
        tag: `!${name}`,
        collection: 'map' as const,
        resolve: (value: { toJSON(): unknown }) => toValue(value.toJSON()),
      },
    ];
  }),
];

export interface Resource {
  Type: string;
  Condition?: string;
  Metadata?: Record<string, unknown>;
  Properties?: Record<string, unknown>;
}

export interface Template {
  Parameters: Record<string, Record<string, unknown>>;
  Conditions: Record<string, unknown>;
  Globals: { Function: Record<string, unknown> };
  Resources: Record<string, Resource>;
  Outputs: Record<string, { Value: unknown }>;
}

/** Parses template.yaml with its CloudFormation tags. */
export function loadTemplate(path = join(process.cwd(), 'template.yaml')): Template {
  return parse(readFileSync(path, 'utf8'), { customTags: cloudFormationTags }) as Template;
}

/** The resources of one type, by logical id. */
export function resourcesOfType(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** Every inline policy statement of a SAM function or state machine (`Policies: - Statement: [...]`). */
export function inlineStatements(resource: Resource): PolicyStatement[] {
  const policies = (resource.Properties?.Policies ?? []) as unknown[];
  return policies.flatMap((policy) => {
    const statement = (policy as { Statement?: PolicyStatement[] }).Statement;
    return statement ?? [];
  });
}

/** The actions of a statement as a list. */
export function actionsOf(statement: PolicyStatement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}
