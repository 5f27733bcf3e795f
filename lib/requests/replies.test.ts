// Replies from the console against the rig, on SQLite (the flow is in e2e/support/reply-tests.ts).
import { describeReplies } from "@/e2e/support/reply-tests";

describeReplies("sqlite");
