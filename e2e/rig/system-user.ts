// uid/gid of a system account (node has no getpwnam), for files the mail servers must own.
import { readFileSync } from "node:fs";

export function systemUser(name: string): { uid: number; gid: number } {
  for (const line of readFileSync("/etc/passwd", "utf8").split("\n")) {
    const fields = line.split(":");
    if (fields[0] === name) return { uid: Number(fields[2]), gid: Number(fields[3]) };
  }
  throw new Error(`system user ${name} does not exist (are dovecot and postfix installed?)`);
}

export function systemGroup(name: string): number {
  for (const line of readFileSync("/etc/group", "utf8").split("\n")) {
    const fields = line.split(":");
    if (fields[0] === name) return Number(fields[2]);
  }
  throw new Error(`system group ${name} does not exist (is postfix installed?)`);
}
