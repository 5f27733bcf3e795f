"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";

const LINKS = [
  { href: "/", label: "Dashboard" },
  { href: "/incoming", label: "Incoming mail" },
  { href: "/outgoing", label: "Outgoing mail" },
  { href: "/oauth", label: "OAuth applications" },
  { href: "/requests", label: "Requests" },
  { href: "/activity", label: "Activity" },
  { href: "/users", label: "Users" },
];

export function NavLinks() {
  const path = usePathname();
  return (
    <>
      {LINKS.map((l) => {
        const active = l.href === "/" ? path === "/" : path.startsWith(l.href);
        return (
          <Link key={l.href} href={l.href} aria-current={active ? "page" : undefined}>
            {l.label}
          </Link>
        );
      })}
    </>
  );
}
