// Named errors: each knows the HTTP status it maps to, so routes stay thin and every 4xx
// answers `{error, detail}` naming what was wrong.

export class ControllerError extends Error {
  readonly status: number = 500;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
  /** The short machine-readable error code in `{error, detail}`. */
  get code(): string {
    return 'internal_error';
  }
}

/** A request field is missing, ill-typed or out of range; `field` is its JSON path. */
export class ValidationError extends ControllerError {
  override readonly status: number = 400;
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
  override get code(): string {
    return 'invalid_request';
  }
}

export class UnauthorizedError extends ControllerError {
  override readonly status = 401;
  override get code(): string {
    return 'unauthorized';
  }
}

export class ForbiddenError extends ControllerError {
  override readonly status = 403;
  override get code(): string {
    return 'forbidden';
  }
}

export class NotFoundError extends ControllerError {
  override readonly status = 404;
  override get code(): string {
    return 'not_found';
  }
}

/** A guardrail refused a routing change; `rule` names the guardrail. */
export class GuardrailRefusal extends ControllerError {
  override readonly status = 409;
  constructor(
    readonly rule: string,
    message: string,
  ) {
    super(message);
  }
  override get code(): string {
    return 'refused_by_guardrail';
  }
}

/** nginx/HAProxy/exec could not apply or verify a change (after rolling it back). */
export class ActuatorError extends ControllerError {
  override readonly status = 502;
  constructor(
    readonly actuator: string,
    message: string,
  ) {
    super(`${actuator}: ${message}`);
  }
  override get code(): string {
    return 'actuator_failed';
  }
}

/** Bad command line or inventory for the controller itself. */
export class ConfigError extends ControllerError {
  override get code(): string {
    return 'config_error';
  }
}

export class UnsupportedMediaTypeError extends ControllerError {
  override readonly status = 415;
  override get code(): string {
    return 'unsupported_media_type';
  }
}
