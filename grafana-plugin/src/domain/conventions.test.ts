// The plugin keeps its own copy of the names (the browser bundle must not pull in the alerting
// package); this test is what keeps the copy honest.
import * as alerting from '../../../alerting/src/conventions';
import { ALERT, LABEL, METRIC, RECORD } from './conventions';

describe('names shared with okome-slo', () => {
  it('reads the metrics the alerting rules are built on', () => {
    expect(METRIC.firstToken).toBe(alerting.METRIC.firstToken);
    expect(METRIC.interToken).toBe(alerting.METRIC.interToken);
    expect(METRIC.e2e).toBe(alerting.METRIC.e2e);
    expect(METRIC.hopAdded).toBe(alerting.METRIC.hopAdded);
    expect(METRIC.gpuEngineUsed).toBe(alerting.METRIC.gpuEngineUsed);
    expect(METRIC.gpuEngineBudget).toBe(alerting.METRIC.gpuEngineBudget);
    expect(METRIC.ollamaEval).toBe(alerting.METRIC.ollamaEval);
  });

  it('reads the recording rules and alert okome-slo writes', () => {
    expect(`${RECORD.errorRatioPrefix}5m`).toBe(alerting.RECORD.errorRatio('5m'));
    expect(`${RECORD.burnRatePrefix}1h`).toBe(alerting.RECORD.burnRate('1h'));
    expect(RECORD.objective).toBe(alerting.RECORD.objective);
    expect(RECORD.errorBudget).toBe(alerting.RECORD.errorBudget);
    expect(RECORD.periodDays).toBe(alerting.RECORD.periodDays);
    expect(RECORD.budgetRemaining).toBe(alerting.RECORD.budgetRemaining);
    expect(RECORD.info).toBe(alerting.RECORD.info);
    expect(ALERT.burn).toBe(alerting.ALERT.burn);
    expect(LABEL.timeScale).toBe(alerting.LABEL.timeScale);
    expect(LABEL.slo).toBe(alerting.LABEL.slo);
    expect(LABEL.hop).toBe(alerting.LABEL.hop);
  });
});
