import type { Order, Repositories } from '../db/repositories.js';
import { AppError } from '../lib/errors.js';
import type { PaymentGateway } from '../lib/paymentGateway.js';

/** Card payments for orders, through the payment gateway. */
export class PaymentService {
  constructor(
    private readonly repos: Repositories,
    private readonly gateway: PaymentGateway,
  ) {}

  /** Charges the order's total and records the payment; 402 when the card is declined. */
  async capture(order: Order, cardToken: string) {
    const result = await this.gateway.charge({ amountCents: order.totalCents, cardToken, reference: `order-${order.id}` });
    const payment = await this.repos.payments.record({ orderId: order.id, providerChargeId: result.chargeId, amountCents: order.totalCents, status: result.status });
    if (result.status !== 'captured') throw new AppError(402, 'payment_failed', 'The card was declined');
    return payment;
  }

  history(orderId: number) {
    return this.repos.payments.forOrder(orderId);
  }
}
