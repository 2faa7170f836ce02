import { LoggerService } from '@nestjs/common';
import pino, { Logger as Pino } from 'pino';

/**
 * Nest's logger while the app is being created, before the request-aware pino logger takes
 * over: the same JSON lines, so a failed boot reads like every other log. Stacks are left out
 * (a boot failure is explained by the one line the entry point writes), and the framework's
 * own report of the failure is dropped because the entry point reports it.
 */
export class BootLogger implements LoggerService {
  readonly pino: Pino;

  constructor(level: string) {
    // synchronous, so the lines are in order and all out before the process exits
    this.pino = pino({ level }, pino.destination({ dest: 1, sync: true }));
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: pino.Level, message: unknown, rest: unknown[]): void {
    // Nest passes (message, stack?, context?): the context is the last string argument
    const strings = rest.filter((r): r is string => typeof r === 'string');
    const context = strings.length ? strings[strings.length - 1] : undefined;
    if (context === 'ExceptionHandler') return;
    const reason = strings.length > 1 ? firstLine(strings[0]) : undefined;
    const text = message instanceof Error ? message.message : String(message);
    // TypeORM's "Retrying (n)..." is a warning; the last failure gets the fatal line
    if (context === 'TypeOrmModule' && text.includes('Retrying')) level = 'warn';
    this.pino[level]({ context, ...(reason ? { reason } : {}) }, text);
  }
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0];
}
