/** The public shapes of the agent emulator (the team contract; extend only compatibly). */

/** What a client needs to open a data channel, as ECS ExecuteCommand returns it. */
export interface SessionCredentials {
  sessionId: string;
  streamUrl: string;
  tokenValue: string;
}

/** Fault switches; every random choice comes from a PRNG seeded with `seed`. */
export interface AgentFaults {
  seed?: number;
  duplicateRate?: number;
  reorderWindow?: number;
  dropFirstCopyRate?: number;
  publicationMessages?: boolean;
  neverClose?: boolean;
  dropConnectionAfterMessages?: number;
  startDelayMs?: number;
  ackDelayMs?: number;
  closeReason?: string;
}

/** One session to play: a real command under a pty, or generated output. */
export interface SessionSpec {
  command?: string;
  generatedOutputBytes?: number;
  env?: Record<string, string>;
  kms?: { keyId: string };
  targetId?: string;
  faults?: AgentFaults;
}

/** Where a session stands, and what the agent saw and sent. */
export interface SessionReport {
  sessionId: string;
  state: 'waiting' | 'running' | 'closed' | 'terminated' | 'dropped';
  outputBytes: number;
  outputSha256: string;
  resends: number;
  violations: string[];
  /** Output messages sent (first transmissions only). */
  messages: number;
  /** The last Size the client sent, once the command ran. */
  terminalSize?: { cols: number; rows: number };
  /** Why the agent ended the session abnormally (failed handshake, command that could not start). */
  error?: string;
}

/** A running emulator: websocket data channel and the SSM/KMS JSON APIs on one loopback port. */
export interface AgentEmulator {
  url: string;
  httpEndpoint: string;
  createSession(spec: SessionSpec): SessionCredentials;
  waitForSession(sessionId: string): Promise<SessionReport>;
  report(sessionId: string): SessionReport;
  violations(): string[];
  close(): Promise<void>;
}
