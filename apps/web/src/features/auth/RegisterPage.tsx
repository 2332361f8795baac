import { useState } from 'react';
import { Link } from 'react-router';
import { TextField } from '../../components/ui/Field';
import { SubmitForm } from '../../components/ui/SubmitForm';
import { useApi } from '../../lib/api';
import { AuthLayout } from './AuthLayout';
import { useSignedIn } from './useSignedIn';

export function RegisterPage() {
  const api = useApi();
  const { next, done } = useSignedIn();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');

  const signInHref = next === '/projects' ? '/sign-in' : `/sign-in?next=${encodeURIComponent(next)}`;
  return (
    <AuthLayout
      title="Create an account"
      footer={
        <>
          Already registered?{' '}
          <Link className="text-indigo-700 underline" to={signInHref}>
            Sign in
          </Link>
        </>
      }
    >
      <SubmitForm className="flex flex-col gap-3" action={async () => done(await api.auth.register({ name, email, password }))} submitLabel="Create account">
        <TextField label="Name" autoComplete="name" required value={name} onChange={(e) => setName(e.target.value)} />
        <TextField label="Email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <TextField
          label="Password"
          type="password"
          autoComplete="new-password"
          required
          minLength={8}
          hint="At least 8 characters."
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </SubmitForm>
    </AuthLayout>
  );
}
