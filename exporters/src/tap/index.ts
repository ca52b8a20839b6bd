export { createTap } from './tap';
export type { Tap, TapOptions } from './tap';
export { LastLine, LineSplitter } from './lines';
export type {
  TapError,
  TapErrorKind,
  TapExchangeObserver,
  TapObserver,
  TapRequestInfo,
  TapResponseInfo,
  TapStats,
  TapSummary,
} from './types';
