import { useState } from 'react';
import { Link } from 'react-router';
import { TextField } from '../../components/ui/Field';
import { SubmitForm } from '../../components/ui/SubmitForm';
import { useApi } from '../../lib/api';
import { AuthLayout } from './AuthLayout';
import { useSignedIn } from './useSignedIn';

export function SignInPage() {
  const api = useApi();
  const { next, done } = useSignedIn();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');

  const registerHref = next === '/projects' ? '/register' : `/register?next=${encodeURIComponent(next)}`;
  return (
    <AuthLayout
      title="Sign in"
      footer={
        <>
          No account yet?{' '}
          <Link className="text-indigo-700 underline" to={registerHref}>
            Create one
          </Link>
        </>
      }
    >
      <SubmitForm className="flex flex-col gap-3" action={async () => done(await api.auth.login({ email, password }))} submitLabel="Sign in">
        <TextField label="Email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <TextField label="Password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
      </SubmitForm>
    </AuthLayout>
  );
}
