/** The Session Manager data-channel client: open a capture of an ECS ExecuteCommand session's output. */
export {
  type CaptureOptions,
  type CaptureSummary,
  CLIENT_VERSION,
  openSessionCapture,
  type SessionCapture,
  type SessionCredentials,
} from './capture.ts';
