// One Converse call with the official Bedrock Runtime client, unchanged except for its endpoint.
const { BedrockRuntimeClient, ConverseCommand } = require('@aws-sdk/client-bedrock-runtime');

const [endpoint, modelId] = process.argv.slice(2);
const client = new BedrockRuntimeClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
client
  .send(new ConverseCommand({ modelId, messages: [{ role: 'user', content: [{ text: 'Hello!' }] }], inferenceConfig: { maxTokens: 16 } }))
  .then((answer) => {
    const text = answer.output?.message?.content?.[0]?.text;
    if (!text) throw new Error(`no text in the answer: ${JSON.stringify(answer.output)}`);
    console.log(`${answer.stopReason}, ${answer.usage?.outputTokens} output tokens: ${text}`);
  })
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
