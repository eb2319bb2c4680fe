/** The only module that imports node-cron. */
import cron from 'node-cron';

/** True for a 5- or 6-field cron expression node-cron accepts. */
export function isValidSchedule(expression: string): boolean {
  return cron.validate(expression);
}
