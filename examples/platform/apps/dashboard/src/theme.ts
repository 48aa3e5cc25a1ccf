export const colors = {
  brand: "#4f46e5",
  paid: "#15803d",
  open: "#b45309",
  void: "#6b7280",
} as const;

export type StatusColor = keyof typeof colors;
