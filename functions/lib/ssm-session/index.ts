/** The Session Manager data-channel client: open a capture of an ECS ExecuteCommand session's output. */
export { openSessionCapture } from './capture.ts';
export { type Clock, systemClock } from './clock.ts';
export { CLIENT_VERSION } from './connection.ts';
export type {
  CaptureOptions,
  CaptureSummary,
  ClientOnDemand,
  SessionCapture,
  SessionCredentials,
} from './options.ts';
