content of v.php
