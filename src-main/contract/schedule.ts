import { z } from 'zod';
import { ScheduleSchema, ScheduleStatusSchema } from './schemas';

// The schedule domain: the daily update a long-lived host runs.

export const scheduleRequests = {
  'schedule.get': { arg: z.object({}).strict(), result: ScheduleStatusSchema },
  'schedule.set': { arg: ScheduleSchema, result: ScheduleStatusSchema },
} as const;
