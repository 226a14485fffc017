import { loadTemplate, type PolicyStatement } from '../../support/template.ts';

const template = loadTemplate();

describe('template.yaml trigger dead-letter queue', () => {
  it('accepts EventBridge dead letters only from the alarm rule SAM generates for start-run', () => {
    const events = template.Resources.StartRunFunction?.Properties?.Events as Record<
      string,
      { Type: string }
    >;
    const [ruleEventId] = Object.entries(events).find(([, event]) => event.Type === 'EventBridgeRule') ?? [];
    const policy = template.Resources.TriggerDeadLetterQueuePolicy?.Properties?.PolicyDocument as {
      Statement: PolicyStatement[];
    };
    const fromEventBridge = policy.Statement.find((statement) =>
      JSON.stringify(statement).includes('events.amazonaws.com'),
    );

    // SAM names the rule of an EventBridgeRule event <FunctionLogicalId><EventId>.
    expect(fromEventBridge?.Condition?.ArnEquals?.['aws:SourceArn']).toEqual({
      'Fn::GetAtt': [`StartRunFunction${ruleEventId}`, 'Arn'],
    });
  });
});
