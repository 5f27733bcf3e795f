// The console's web processes among themselves (lib/cli/web-processes.ts): which one runs the background jobs,
// and the messages they pass on to each other. No "server-only": the start command loads it too.
export { runsBackgroundJobs, WEB_ONLY_FLAG } from "./process-role";
export {
  onPeerMessage,
  tellPeers,
  relayPeerMessages,
  deliverPeerMessageForTests,
  type PeerKind,
} from "./peer-messages";
