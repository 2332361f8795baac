import { CreateCriterionBody, CreateProjectBody, CreateRequirementBody, CreateSpecBody, CreateSpecTaskBody, CreateTicketBody } from '@specline/protocol';

/**
 * The lengths the server accepts, read from the protocol's request schemas (never copied by hand), so a
 * form shows its limit before the user reaches it.
 */
function maxLength(schema: { maxLength: number | null }): number {
  if (schema.maxLength === null) throw new Error('schema has no maximum length');
  return schema.maxLength;
}

export const LIMITS = {
  ticketTitle: maxLength(CreateTicketBody.shape.title),
  ticketDescription: maxLength(CreateTicketBody.shape.description.unwrap()),
  specTitle: maxLength(CreateSpecBody.shape.title),
  specDescription: maxLength(CreateSpecBody.shape.description.unwrap()),
  projectName: maxLength(CreateProjectBody.shape.name),
  requirementTitle: maxLength(CreateRequirementBody.shape.title),
  requirementCondition: maxLength(CreateRequirementBody.shape.condition.unwrap()),
  requirementAction: maxLength(CreateRequirementBody.shape.action),
  criterionText: maxLength(CreateCriterionBody.shape.text),
  taskTitle: maxLength(CreateSpecTaskBody.shape.title),
  taskDescription: maxLength(CreateSpecTaskBody.shape.description.unwrap()),
} as const;

/** The largest estimate a task takes, in hours (the protocol's `estimated_hours` maximum). */
export const MAX_ESTIMATE_HOURS = (() => {
  const schema = CreateSpecTaskBody.shape.estimated_hours.unwrap().unwrap();
  return schema.maxValue ?? 1000;
})();
