/** Thrown when a pattern cannot be built or compiled (Flink's MalformedPatternException). */
export class MalformedPatternError extends Error {
  override name = 'MalformedPatternError';
}

/** Thrown while events are processed (Flink's FlinkRuntimeException), e.g. a failing condition. */
export class CepRuntimeError extends Error {
  override name = 'CepRuntimeError';
}
