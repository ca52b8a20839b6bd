/** A stack operation failed for a reason the user can act on; the message says which. */
export class StackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StackError';
  }
}
