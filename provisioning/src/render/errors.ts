/** A renderer was asked for something the inventory does not have (unknown pool, node…). */
export class RenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RenderError';
  }
}
