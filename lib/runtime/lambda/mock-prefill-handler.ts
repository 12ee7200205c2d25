// placeholder until lib/mock lands
export const handler = undefined;
