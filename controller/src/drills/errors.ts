// Drill errors on top of the controller's named errors (same {error, detail} mapping).
import { ControllerError } from '../errors';

export { NotFoundError, ValidationError } from '../errors';

/** The request is valid but the drill state does not allow it (one at a time, not running). */
export class ConflictError extends ControllerError {
  override readonly status: number = 409;
  override get code(): string {
    return 'conflict';
  }
}
