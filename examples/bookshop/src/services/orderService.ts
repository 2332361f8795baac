import type { Order, OrderStatus, Repositories } from '../db/repositories.js';
import { AppError, conflict, forbidden, notFound } from '../lib/errors.js';
import type { PaymentService } from './paymentService.js';

/** Allowed order status changes. */
const TRANSITIONS: Record<OrderStatus, OrderStatus[]> = {
  pending: ['paid', 'cancelled'],
  paid: ['shipped', 'cancelled'],
  shipped: ['delivered'],
  delivered: [],
  cancelled: [],
};

/** Checkout and the order life cycle: pending → paid → shipped → delivered, or cancelled. */
export class OrderService {
  constructor(
    private readonly repos: Repositories,
    private readonly payments: PaymentService,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Turns the customer's cart into a pending order and reserves the stock. */
  async checkout(customerId: number, shippingAddress: string): Promise<Order> {
    const cart = await this.repos.carts.items(customerId);
    if (cart.length === 0) throw new AppError(400, 'empty_cart', 'The cart is empty');
    const items = [];
    let totalCents = 0;
    for (const line of cart) {
      const book = await this.repos.books.get(line.bookId);
      if (!book) throw notFound('Book');
      if (book.stock < line.quantity) throw conflict(`Only ${book.stock} left of "${book.title}"`);
      items.push({ bookId: book.id, quantity: line.quantity, unitPriceCents: book.priceCents });
      totalCents += book.priceCents * line.quantity;
    }
    const order = await this.repos.orders.create({ customerId, totalCents, shippingAddress, items });
    for (const item of items) await this.repos.books.adjustStock(item.bookId, -item.quantity);
    await this.repos.carts.clear(customerId);
    return order;
  }

  /** Charges the card and marks the order paid. */
  async pay(orderId: number, customerId: number, cardToken: string): Promise<Order> {
    const order = await this.getForCustomer(orderId, customerId);
    this.assertTransition(order.status, 'paid');
    await this.payments.capture(order, cardToken);
    return this.repos.orders.setStatus(orderId, 'paid', this.now());
  }

  async ship(orderId: number): Promise<Order> {
    const order = await this.get(orderId);
    this.assertTransition(order.status, 'shipped');
    return this.repos.orders.setStatus(orderId, 'shipped', this.now());
  }

  async markDelivered(orderId: number): Promise<Order> {
    const order = await this.get(orderId);
    this.assertTransition(order.status, 'delivered');
    return this.repos.orders.setStatus(orderId, 'delivered', this.now());
  }

  /** Cancels an order that has not shipped and puts its stock back. Paid orders are not refunded yet. */
  async cancel(orderId: number, customerId: number): Promise<Order> {
    const order = await this.getForCustomer(orderId, customerId);
    this.assertTransition(order.status, 'cancelled');
    for (const item of order.items) await this.repos.books.adjustStock(item.bookId, item.quantity);
    return this.repos.orders.setStatus(orderId, 'cancelled', this.now());
  }

  listForCustomer(customerId: number) {
    return this.repos.orders.forCustomer(customerId);
  }

  async get(orderId: number) {
    const order = await this.repos.orders.get(orderId);
    if (!order) throw notFound('Order');
    return order;
  }

  async getForCustomer(orderId: number, customerId: number) {
    const order = await this.get(orderId);
    if (order.customerId !== customerId) throw forbidden('Not your order');
    return order;
  }

  private assertTransition(from: OrderStatus, to: OrderStatus) {
    if (!TRANSITIONS[from].includes(to)) throw conflict(`An order that is ${from} cannot become ${to}`);
  }
}
