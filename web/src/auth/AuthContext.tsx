import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { session as defaultSession, type Role, type Session, type SessionUser } from '../api/session';

export interface AuthValue {
  user: SessionUser | null;
  /** false until a stored sign-in has been restored (or found missing). */
  ready: boolean;
  login(email: string, password: string): Promise<SessionUser>;
  logout(): Promise<void>;
  /** What the role may do (README, "Access: users, keys and roles"). */
  can: { write: boolean; admin: boolean };
}

const AuthContext = createContext<AuthValue | null>(null);

export function permissions(role: Role | undefined) {
  return { write: role === 'admin' || role === 'agent', admin: role === 'admin' };
}

export function AuthProvider({ children, session = defaultSession }: { children: ReactNode; session?: Session }) {
  const [user, setUser] = useState<SessionUser | null>(session.user);
  const [ready, setReady] = useState(session.user !== null || !session.hasRefreshToken);
  const qc = useQueryClient();

  useEffect(() => {
    const off = session.subscribe((u) => {
      setUser(u);
      if (!u) qc.clear();
    });
    if (!ready) {
      void session.restore().finally(() => {
        setUser(session.user);
        setReady(true);
      });
    }
    return () => {
      off();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [session]);

  const login = useCallback((e: string, p: string) => session.login(e, p), [session]);
  const logout = useCallback(async () => {
    await session.logout();
    qc.clear();
  }, [session, qc]);

  const value = useMemo<AuthValue>(
    () => ({ user, ready, login, logout, can: permissions(user?.role) }),
    [user, ready, login, logout],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const v = useContext(AuthContext);
  if (!v) throw new Error('useAuth outside AuthProvider');
  return v;
}
