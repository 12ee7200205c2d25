import { Stack } from 'aws-cdk-lib';
import { DecodeEndpoint } from '../../lib/decode';
import { deriveModelRegistry, type IPrefillEndpoint } from '../../lib/invocation';

const prefill = (maxModelLength?: number): IPrefillEndpoint => ({
  endpointUrl: 'http://prefill.internal:8000',
  servedModelName: 'meta-llama/Llama-3.3-70B-Instruct',
  maxModelLength,
});
const decode = (maxModelLength?: number) =>
  DecodeEndpoint.fromDecodeEndpointAttributes(new Stack(), 'Decode', { endpointUrl: 'https://decode.example', servedModelName: 'm', maxModelLength });

describe('deriveModelRegistry: the context window the router enforces', () => {
  test('is the catalog window when the servers set no limit', () => {
    expect(deriveModelRegistry(prefill(), decode()).models[0].contextWindow).toBe(131_072);
  });

  test('is the smallest of the catalog window and the prefill and decode servers\' max model length', () => {
    expect(deriveModelRegistry(prefill(8192), decode()).models[0].contextWindow).toBe(8192);
    expect(deriveModelRegistry(prefill(16384), decode(4096)).models[0].contextWindow).toBe(4096);
  });

  test('is the given contextWindow when one is given', () => {
    expect(deriveModelRegistry(prefill(8192), decode(), { contextWindow: 6000 }).models[0].contextWindow).toBe(6000);
  });
});
