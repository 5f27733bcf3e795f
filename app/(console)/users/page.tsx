import { requirePageUser } from "@/lib/auth";
import { listUsers } from "@/lib/users";
import { AddUserForm } from "./add-user-form";
import { UserRowActions } from "./user-row-actions";
import { formatDateTime } from "@/lib/format";

export default async function UsersPage() {
  const me = await requirePageUser();
  const users = await listUsers();
  const isAdmin = me.role === "admin";
  return (
    <>
      <div className="page-header">
        <h1>Users</h1>
      </div>
      {isAdmin && (
        <section className="card">
          <h2>Add a user</h2>
          <AddUserForm />
        </section>
      )}
      <table className="table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Email address</th>
            <th>Role</th>
            <th>Status</th>
            <th>Last sign-in</th>
            {isAdmin && <th>Change</th>}
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id}>
              <td>{u.name}</td>
              <td>{u.email}</td>
              <td>{u.role === "admin" ? "Admin" : "Viewer"}</td>
              <td>
                {u.disabled ? (
                  <span className="badge badge-error">Disabled</span>
                ) : (
                  <span className="badge badge-ok">Active</span>
                )}
              </td>
              <td>{u.lastLoginAt ? formatDateTime(u.lastLoginAt) : "never"}</td>
              {isAdmin && (
                <td>
                  <UserRowActions userId={u.id} email={u.email} role={u.role} disabled={u.disabled} />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
