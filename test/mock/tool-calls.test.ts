import { argumentsFor, chosenTool } from '../../lib/mock/tool-calls';
import type { ChatMessage, ToolDefinition } from '../../lib/runtime/openai/worker-protocol';

// The mock model's tool-call rules, as the README states them.

const tool = (name: string, parameters: Record<string, unknown> = { type: 'object' }): ToolDefinition => ({ type: 'function', function: { name, parameters } });
const tools = [tool('get_weather'), tool('get_time')];
const user = (content: string): ChatMessage[] => [{ role: 'user', content }];

describe('when it calls a tool', () => {
  test('auto: only when the last user message names one as a whole word; the one named first', () => {
    expect(chosenTool(user('Use get_time, then get_weather'), tools, 'auto')?.function.name).toBe('get_time');
    expect(chosenTool(user('What is the weather?'), tools, 'auto')).toBeUndefined();
    expect(chosenTool(user('Use get_weather_v2'), tools, 'auto')).toBeUndefined();
    expect(chosenTool(user('Use get_weather'), tools, undefined)?.function.name).toBe('get_weather');
  });

  test('required: the named tool, else the first; a named function: that one; none: never', () => {
    expect(chosenTool(user('Use get_time'), tools, 'required')?.function.name).toBe('get_time');
    expect(chosenTool(user('anything'), tools, 'required')?.function.name).toBe('get_weather');
    expect(chosenTool(user('Use get_weather'), tools, { type: 'function', function: { name: 'get_time' } })?.function.name).toBe('get_time');
    expect(chosenTool(user('Use get_weather'), tools, 'none')).toBeUndefined();
    expect(chosenTool(user('Use get_weather'), undefined, 'required')).toBeUndefined();
  });

  test('after a tool result: never, whatever the choice', () => {
    const messages: ChatMessage[] = [...user('Use get_weather'), { role: 'assistant', content: null }, { role: 'tool', tool_call_id: 'x', content: '{}' }];
    expect(chosenTool(messages, tools, 'required')).toBeUndefined();
  });
});

describe('its arguments follow the schema', () => {
  const schema = {
    type: 'object',
    properties: {
      city: { type: 'string' },
      days: { type: 'integer', minimum: 1, maximum: 7 },
      ratio: { type: 'number' },
      units: { type: 'string', enum: ['c', 'f'] },
      detailed: { type: 'boolean' },
      where: { type: 'object', properties: { lat: { type: 'number', minimum: -90 }, note: { type: ['null', 'string'] } }, required: ['lat', 'note'] },
      tags: { type: 'array', items: { type: 'string' } },
      either: { anyOf: [{ type: 'integer' }, { type: 'string' }] },
      fixed: { const: 'v1' },
      free: {},
      optional: { type: 'string' },
    },
    required: ['city', 'days', 'ratio', 'units', 'detailed', 'where', 'tags', 'either', 'fixed', 'free'],
  };

  test('required properties only, each by its rule, from the last user message', () => {
    expect(argumentsFor(tool('t', schema), 'Forecast 12 days for Paris')).toEqual({
      city: 'Paris',
      days: 7,
      ratio: 12,
      units: 'c',
      detailed: true,
      where: { lat: 12, note: 'Paris' },
      tags: ['Paris'],
      either: 12,
      fixed: 'v1',
      free: 'Paris',
    });
  });

  test('without a number in the message: the minimum, else 1; without a word: "value"', () => {
    expect(argumentsFor(tool('t', schema), '')).toMatchObject({ city: 'value', days: 1, ratio: 1, where: { lat: -90 } });
  });

  test('an object without required properties, or no schema at all, gets {}', () => {
    expect(argumentsFor(tool('t', { type: 'object', properties: { a: { type: 'string' } } }), 'x')).toEqual({});
    expect(argumentsFor(tool('t', {}), 'x')).toEqual({});
  });
});
