"""The browser interface: one blueprint per feature, plus shared errors, filters and fields."""
