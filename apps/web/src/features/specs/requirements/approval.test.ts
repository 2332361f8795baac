import { describe, expect, it } from 'vitest';
import { makeSpec, NOW } from '../../../test/fixtures';
import { designApproval, requirementsApproval } from './approval';

const design = { architecture: 'A', data_model: '', api_spec: [], components: [], error_handling: '', testing_strategy: '', architecture_diagram: null, edited_at: null };

describe('approval rules', () => {
  it('requirements: allowed only with requirements, not yet approved, not executing', () => {
    expect(requirementsApproval(makeSpec()).allowed).toBe(true);
    expect(requirementsApproval(makeSpec({ requirements: [] })).allowed).toBe(false);
    expect(requirementsApproval(makeSpec({ status: 'executing' })).allowed).toBe(false);
    expect(requirementsApproval(makeSpec({ requirements_approved: true, requirements_approved_at: NOW }))).toMatchObject({ approved: true, approvedAt: NOW, allowed: false });
  });

  it('design: needs a design and approved requirements', () => {
    expect(designApproval(makeSpec({ design: null, requirements_approved: true })).reason).toBe('There is no design to approve yet.');
    expect(designApproval(makeSpec({ design, requirements_approved: false })).reason).toBe('Approve the requirements first.');
    expect(designApproval(makeSpec({ design, requirements_approved: true }))).toMatchObject({ allowed: true, reason: null });
    expect(designApproval(makeSpec({ design, requirements_approved: true, design_approved: true })).allowed).toBe(false);
  });
});
