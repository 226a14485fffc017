import { loadTemplate } from '../../support/template.ts';

describe('template.yaml alarm rule', () => {
  it("matches only this account's alarm events (not ones forwarded from other accounts)", () => {
    const events = loadTemplate().Resources.StartRunFunction?.Properties?.Events as Record<
      string,
      { Type: string; Properties: { Pattern?: Record<string, unknown> } }
    >;
    const rule = Object.values(events).find((event) => event.Type === 'EventBridgeRule');

    expect(rule?.Properties.Pattern?.account).toEqual([{ Ref: 'AWS::AccountId' }]);
  });
});
