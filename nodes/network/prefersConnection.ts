import type { Connection } from "@libp2p/interface";

/** The parts of a connection the choice looks at. */
export type ConnectionFacts = Pick<Connection, "direction" | "remotePeer" | "timeline">;

/**
 * Which of two connections to one peer to keep when both completed a handshake (the peers
 * dialled each other at once): the one dialled by the peer with the smaller id, so both ends
 * keep the same connection and close the same other one; when one side dialled both, the
 * newer.
 *
 * @param self our own peer id.
 * @returns true to keep `candidate` and close `current`.
 * @example
 * ```ts
 * if (!prefersConnection(connection, existing.connection, self)) await connection.close();
 * ```
 */
export function prefersConnection(
  candidate: ConnectionFacts,
  current: ConnectionFacts,
  self: string,
): boolean {
  const dialler = (c: ConnectionFacts) =>
    c.direction === "outbound" ? self : c.remotePeer.toString();
  const a = dialler(candidate);
  const b = dialler(current);
  if (a !== b) return a < b;
  return candidate.timeline.open >= current.timeline.open;
}
