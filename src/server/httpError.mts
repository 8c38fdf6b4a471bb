// An answer other than 200: handlers, routes and hooks throw it, the server sends it as JSON { error }.

/** Thrown to answer with `status` and `{ "error": message }`. */
export class HttpError extends Error {
  status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}
