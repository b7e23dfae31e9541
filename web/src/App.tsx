import { lazy, Suspense, type ReactNode } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { useAuth } from './auth/AuthContext';
import { Layout } from './components/Layout';

// Route-level code splitting: each page is its own chunk, loaded when first visited.
const Login = lazy(() => import('./pages/Login'));
const Home = lazy(() => import('./pages/Home'));
const Inbox = lazy(() => import('./pages/Inbox'));
const Leads = lazy(() => import('./pages/Leads'));
const LeadPage = lazy(() => import('./pages/LeadPage'));
const Tasks = lazy(() => import('./pages/Tasks'));
const Bookings = lazy(() => import('./pages/Bookings'));
const FollowUps = lazy(() => import('./pages/FollowUps'));
const Settings = lazy(() => import('./pages/Settings'));

function RequireAuth({ children }: { children: ReactNode }) {
  const { user, ready } = useAuth();
  const location = useLocation();
  if (!ready) return <p className="muted boot" role="status">Signing in…</p>;
  if (!user) return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  return <>{children}</>;
}

const fallback = <p className="muted" role="status">Loading…</p>;

export function AppRoutes() {
  return (
    <Suspense fallback={fallback}>
      <Routes>
        <Route path="/login" element={<Login />} />
        <Route
          element={
            <RequireAuth>
              <Layout />
            </RequireAuth>
          }
        >
          <Route index element={<Suspense fallback={fallback}><Home /></Suspense>} />
          <Route path="inbox" element={<Suspense fallback={fallback}><Inbox /></Suspense>} />
          <Route path="inbox/:customerId" element={<Suspense fallback={fallback}><Inbox /></Suspense>} />
          <Route path="leads" element={<Suspense fallback={fallback}><Leads /></Suspense>} />
          <Route path="leads/:leadId" element={<Suspense fallback={fallback}><LeadPage /></Suspense>} />
          <Route path="tasks" element={<Suspense fallback={fallback}><Tasks /></Suspense>} />
          <Route path="bookings" element={<Suspense fallback={fallback}><Bookings /></Suspense>} />
          <Route path="follow-ups" element={<Suspense fallback={fallback}><FollowUps /></Suspense>} />
          <Route path="settings" element={<Suspense fallback={fallback}><Settings /></Suspense>} />
          <Route path="*" element={<p>Page not found.</p>} />
        </Route>
      </Routes>
    </Suspense>
  );
}

export function App() {
  return (
    <BrowserRouter>
      <AppRoutes />
    </BrowserRouter>
  );
}
