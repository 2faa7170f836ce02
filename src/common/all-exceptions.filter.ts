import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import { Response } from 'express';
import {
  ConflictError,
  DomainError,
  ForbiddenError,
  InvalidInputError,
  NotConfiguredError,
  NotFoundError,
  UpstreamError,
} from './domain-errors';
import { ErrorBody } from './error-body';

/** Errors that mean "the database is not reachable right now", not "the request is wrong". */
const DB_UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08006',
]);

function isDatabaseUnavailable(err: Error): boolean {
  const code =
    (err as { code?: unknown; driverError?: { code?: unknown } }).driverError?.code ??
    (err as { code?: unknown }).code;
  if (typeof code === 'string' && DB_UNAVAILABLE_CODES.has(code)) return true;
  // TypeORM's names for "the connection under this transaction died"
  if (
    err.name === 'QueryRunnerAlreadyReleasedError' ||
    err.name === 'QueryRunnerProviderAlreadyReleasedError'
  )
    return true;
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|ECONNREFUSED/i.test(
    String(err.message),
  );
}

interface ParserError {
  type?: string;
  status?: number;
  statusCode?: number;
  expose?: boolean;
}

function fromHttpException(err: HttpException): ErrorBody {
  const status = err.getStatus();
  const res = err.getResponse();
  if (typeof res === 'string') return { statusCode: status, message: res };
  const body = res as { message?: unknown; error?: string; errors?: ErrorBody['errors'] };
  const message =
    typeof body.message === 'string'
      ? body.message
      : Array.isArray(body.message)
        ? (body.message as unknown[]).map(String).join('; ')
        : (body.error ?? err.message);
  return body.errors
    ? { statusCode: status, message, errors: body.errors }
    : { statusCode: status, message };
}

/** body-parser's own errors (bad JSON, too large, bad charset) are the client's fault. */
function fromParserError(err: ParserError & Error): ErrorBody | null {
  const status = err.status ?? err.statusCode;
  if (!err.type || !status || status < 400 || status >= 500) return null;
  const messages: Record<string, string> = {
    'entity.parse.failed': 'Request body is not valid JSON',
    'entity.too.large': 'Request body is too large',
    'encoding.unsupported': 'Unsupported request body encoding',
    'charset.unsupported': 'Unsupported request body charset',
    'request.aborted': 'Request was aborted',
    'parameters.too.many': 'Too many parameters in the request body',
  };
  return { statusCode: status, message: messages[err.type] ?? 'Malformed request body' };
}

@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception);
    // "not configured" is the state an operator chose, not a fault: the request line is enough
    if (body.statusCode > 500 && !(exception instanceof NotConfiguredError)) {
      this.logger.warn(body.message);
    } else if (body.statusCode === 500) {
      this.logger.error(
        {
          err:
            exception instanceof Error
              ? { name: exception.name, message: exception.message, stack: exception.stack }
              : String(exception),
        },
        'Unhandled error',
      );
    }
    if (res.headersSent) return;
    res.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof HttpException) return fromHttpException(exception);
    if (exception instanceof NotFoundError)
      return { statusCode: HttpStatus.NOT_FOUND, message: exception.message };
    if (exception instanceof InvalidInputError)
      return exception.errors.length
        ? {
            statusCode: HttpStatus.BAD_REQUEST,
            message: exception.message,
            errors: exception.errors,
          }
        : { statusCode: HttpStatus.BAD_REQUEST, message: exception.message };
    if (exception instanceof ConflictError)
      return { statusCode: HttpStatus.CONFLICT, message: exception.message };
    if (exception instanceof ForbiddenError)
      return { statusCode: HttpStatus.FORBIDDEN, message: exception.message };
    if (exception instanceof UpstreamError)
      return { statusCode: HttpStatus.BAD_GATEWAY, message: exception.message };
    if (exception instanceof NotConfiguredError)
      return { statusCode: HttpStatus.SERVICE_UNAVAILABLE, message: exception.message };
    // duck-typed: errors raised inside Node's own modules may come from another realm
    if (
      typeof exception === 'object' &&
      exception !== null &&
      !(exception instanceof DomainError)
    ) {
      const err = exception as Error;
      const parser = fromParserError(err);
      if (parser) return parser;
      if (isDatabaseUnavailable(err)) {
        return {
          statusCode: HttpStatus.SERVICE_UNAVAILABLE,
          message: 'Database unavailable; try again shortly',
        };
      }
    }
    return { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, message: 'Internal server error' };
  }
}
