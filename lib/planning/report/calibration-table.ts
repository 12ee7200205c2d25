import { CS3_CALIBRATION, SERVER_OVERHEAD_MS, TP_OVERHEAD_EXPONENT, TRAINIUM1_CALIBRATION, TRAINIUM2_CALIBRATION } from '../timing/calibration';
import { PUBLISHED_FIGURES, PublishedFigure } from '../timing/published-figures';

/** Predictions may differ from published figures by this share and still count as matched. */
export const CALIBRATION_TOLERANCE = 0.25;

/** A published figure beside the rules' prediction for the same configuration. */
export interface CalibrationRow {
  readonly figure: PublishedFigure;
  readonly predicted: number;
  /** predicted / published - 1. */
  readonly error: number;
  readonly withinTolerance: boolean;
}

export function calibrationTable(figures: readonly PublishedFigure[] = PUBLISHED_FIGURES): CalibrationRow[] {
  return figures.map((figure) => {
    const predicted = figure.predict();
    const error = predicted / figure.published - 1;
    return { figure, predicted, error, withinTolerance: Math.abs(error) <= CALIBRATION_TOLERANCE };
  });
}

/** The table as text: one block per figure (configuration, source, and the reason when unmatched). */
export function formatCalibrationTable(rows: readonly CalibrationRow[]): string {
  const value = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
  const lines = [`Published figures beside the timing rules' predictions (matched within ±${CALIBRATION_TOLERANCE * 100}%):`, ''];
  for (const { figure, predicted, error } of rows) {
    const sign = error >= 0 ? '+' : '';
    lines.push(
      `${figure.metric} ${value(figure.published)} ${figure.unit}, predicted ${value(predicted)} (${sign}${(error * 100).toFixed(1)}%)` +
        (figure.unmatched ? ' UNMATCHED' : ''),
      `  ${figure.configuration}`,
      `  source: ${figure.source}`,
    );
    if (figure.unmatched) lines.push(`  why: ${figure.unmatched}`);
  }
  lines.push('', 'The fitted constants:');
  for (const c of [TRAINIUM2_CALIBRATION, TRAINIUM1_CALIBRATION]) {
    lines.push(
      `  ${c.generation}: prefill utilisation ${c.prefillUtilisation}, tensor-parallel scale ${c.tensorParallelScale}, ` +
        `prefill pass ${c.prefillOverheadMsAtTp64} ms and decode step ${c.stepOverheadMsAtTp64} ms at TP 64, ` +
        `HBM bandwidth share ${c.memoryBandwidthUtilisation}, ${c.perSequenceStepMs} ms per extra sequence; fitted to ${c.fittedTo}`,
    );
  }
  lines.push(
    `  vLLM server overhead ${SERVER_OVERHEAD_MS} ms; pass overheads grow with TP^${TP_OVERHEAD_EXPONENT}`,
    `  CS-3: prompt utilisation ${CS3_CALIBRATION.promptUtilisation} of the peak, ${CS3_CALIBRATION.requestOverheadMs} ms per request; fitted to ${CS3_CALIBRATION.fittedTo}`,
  );
  return lines.join('\n') + '\n';
}
