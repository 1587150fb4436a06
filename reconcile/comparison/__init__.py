"""Two reports side by side: sentence alignment, divergences and the evidence that judges them."""
