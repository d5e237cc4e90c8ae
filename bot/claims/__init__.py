"""Filing claims: the form's data, the duplicate check, first come first served, the verdict."""
