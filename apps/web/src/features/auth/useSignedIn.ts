import type { LoginResponse } from '@specline/protocol';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate, useSearchParams } from 'react-router';
import { safeNext } from '../../lib/next';
import { sessionHint } from '../../lib/sessionHint';
import { queryKeys } from '../../lib/queryKeys';

/** After login/register: remember the user and go back where the 401 found them (`?next=`). */
export function useSignedIn() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  return {
    next,
    done: (answer: LoginResponse) => {
      sessionHint.set();
      queryClient.clear();
      queryClient.setQueryData(queryKeys.me, answer.user);
      void navigate(next, { replace: true });
    },
  };
}
