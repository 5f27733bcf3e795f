// Replies from the console against the rig, on PostgreSQL (the flow is in e2e/support/reply-tests.ts).
import { describeReplies } from "@/e2e/support/reply-tests";

describeReplies("postgresql");
