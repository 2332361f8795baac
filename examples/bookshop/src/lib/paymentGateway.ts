/** The card payment provider's HTTP client. Charges only: refunds are not implemented yet. */
export interface ChargeResult {
  chargeId: string;
  status: 'captured' | 'failed';
}

export interface PaymentGateway {
  charge(input: { amountCents: number; cardToken: string; reference: string }): Promise<ChargeResult>;
}

export function createPaymentGateway(baseUrl: string, apiKey: string, fetchImpl: typeof fetch = fetch): PaymentGateway {
  return {
    async charge({ amountCents, cardToken, reference }) {
      const res = await fetchImpl(`${baseUrl}/v1/charges`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'idempotency-key': reference },
        body: JSON.stringify({ amount: amountCents, currency: 'eur', source: cardToken }),
      });
      if (!res.ok) return { chargeId: '', status: 'failed' };
      const body = (await res.json()) as { id: string };
      return { chargeId: body.id, status: 'captured' };
    },
  };
}
