/**
 * Twilio's error body `{code, message, more_info, status}` and the errors the
 * emulator's models throw. Models throw `TwilioError`; the core turns it into
 * the HTTP response, so no service writes error bodies by hand.
 */

export interface TwilioErrorBody {
  code: number;
  message: string;
  more_info: string;
  status: number;
}

export class TwilioError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: number,
    message: string,
    /** Extra headers (e.g. WWW-Authenticate on 401). */
    public readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'TwilioError';
  }

  toBody(): TwilioErrorBody {
    return errorBody(this.status, this.code, this.message);
  }
}

export function moreInfoUrl(code: number): string {
  return `https://www.twilio.com/docs/errors/${code}`;
}

export function errorBody(status: number, code: number, message: string): TwilioErrorBody {
  return { code, message, more_info: moreInfoUrl(code), status };
}

/** 400/20001 "Missing required parameter X in the post body" (Twilio's wording). */
export function missingParam(name: string, where: 'post body' | 'query' = 'post body'): TwilioError {
  return new TwilioError(400, 20001, `Missing required parameter ${name} in the ${where}`);
}

/** 400/20001 for a parameter whose value is wrong; the message names the field and the reason. */
export function invalidParam(name: string, reason: string, code = 20001): TwilioError {
  return new TwilioError(400, code, `Invalid ${name}: ${reason}`);
}

/** 400 with a free message (model rule violations). */
export function badRequest(message: string, code = 20001): TwilioError {
  return new TwilioError(400, code, message);
}

/** 404/20404 "The requested resource <path> was not found" (Twilio's wording). */
export function notFound(resourcePath: string): TwilioError {
  return new TwilioError(404, 20404, `The requested resource ${resourcePath} was not found`);
}

/** 409 conflict (e.g. duplicate unique names where Twilio answers 409). */
export function conflict(message: string, code = 20409): TwilioError {
  return new TwilioError(409, code, message);
}

/** 401/20003 "Authenticate". */
export function unauthenticated(): TwilioError {
  return new TwilioError(401, 20003, 'Authenticate', { 'WWW-Authenticate': 'Basic realm="Twilio API"' });
}

export function methodNotAllowed(method: string): TwilioError {
  return new TwilioError(405, 20004, `Method ${method} not allowed`);
}

export function tooManyRequests(): TwilioError {
  return new TwilioError(429, 20429, 'Too Many Requests');
}

export function internalError(message = 'Internal Server Error'): TwilioError {
  return new TwilioError(500, 20500, message);
}

export function isTwilioError(err: unknown): err is TwilioError {
  return err instanceof TwilioError;
}
