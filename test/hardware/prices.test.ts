import { onDemandPrice, TRAINIUM_INSTANCE_TYPES } from '../../lib/hardware';

test('on-demand prices carry their region, date and source; types without a public price have none', () => {
  expect(onDemandPrice('trn2.48xlarge')).toEqual({
    usdPerHour: 35.76,
    region: 'us-east-2',
    asOf: '2025-11-30',
    source: 'instances.vantage.sh, via github.com/tsaol/aws-gpu data/trn2_instances.js @2f6d954',
  });
  expect(onDemandPrice('trn1.32xlarge')?.usdPerHour).toBe(21.5);
  expect(onDemandPrice('trn2u.48xlarge')).toBeUndefined();
  expect(onDemandPrice('trn2.3xlarge')).toBeUndefined();
  for (const type of TRAINIUM_INSTANCE_TYPES) {
    const price = onDemandPrice(type.name);
    if (price) expect(price.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  }
});
